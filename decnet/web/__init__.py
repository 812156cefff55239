"""Web side of DECNET: storage (`db`), HTTP routes (`router`) and the app (`api`)."""

"""Ground-truth scenarios, a log generator and metrics for the whole pipeline."""

"""Event bus: topic names, payload models, backends and the transactional outbox."""

"""Ingest: honeypot logs in, observations, sessions and features out.

`decnet.ingest.cowrie.ingest_paths` reads Cowrie JSON logs (plain or gzip),
ttylogs and downloaded files; `decnet.ingest.jsonl.ingest_jsonl_paths`
reads the generic JSON-lines format described in `docs/ingest.md`. Both
stream, write in batches and record per-file progress so that a rerun
changes nothing.
"""

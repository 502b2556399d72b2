"""Benchmarks: retrieval quality, stage-aware quality, speed and memory (see the README)."""

"""Synthetic landing directory: a real kabupaten/kota's regions, realistic people and events, files as landed."""

from ilp_pipeline.generator.run import GenerationSummary, generate

__all__ = ["GenerationSummary", "generate"]

"""Data-quality checks of a panel against a framework (`evaluator validate`)."""
from .report import QualityReport, quality_report
from .text import display_width

__all__ = ["QualityReport", "quality_report", "display_width"]

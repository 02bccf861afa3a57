"""The Great Expectations quality gate of the daily run (docs/quality.md).

Importing this package does not import Great Expectations; `run_quality_gate` does, when called.
"""

from lead_scoring.quality.gate import Failure, GateResult, QualityGateFailed, run_quality_gate

__all__ = ["Failure", "GateResult", "QualityGateFailed", "run_quality_gate"]

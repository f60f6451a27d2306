"""The Exterior Creation API: client, typed results, errors."""

from bot.api.client import ExteriorClient
from bot.api.models import GenerateResult, GenerationState, VariationResult

__all__ = ["ExteriorClient", "GenerateResult", "GenerationState", "VariationResult"]

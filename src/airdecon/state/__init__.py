"""Aircraft state: the validated fleet snapshot the engine consumes."""

from airdecon.state._fleet import LIMITS, Fleet

__all__ = ["LIMITS", "Fleet"]

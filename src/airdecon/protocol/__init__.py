"""The safety protocol: separation minima, look-ahead, and (later) the signed agreement."""

from airdecon.protocol._rules import RulesOfTheAir, SafetyProtocol

__all__ = ["RulesOfTheAir", "SafetyProtocol"]

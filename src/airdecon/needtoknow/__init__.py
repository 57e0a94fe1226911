"""Need to know: what each party may see of the picture (the single filter every face uses)."""

from airdecon.needtoknow._cursor import CursorCodec
from airdecon.needtoknow._policy import Disclosure, StateView, threat_ref

__all__ = ["CursorCodec", "Disclosure", "StateView", "threat_ref"]

"""The tamper-evident record: hash-chained entries, Ed25519-signed checkpoints, verification, exports.

::

    from airdecon.audit import HubKey, verify_chain, export_incident, verify_export
    key = HubKey.generate()
    store = open_store("hub.db", signer=key, checkpoint_every=100)
    ...
    verify_chain(store, key.public_key)              # raises IntegrityError naming the entry
    doc = export_incident(store, t0, t1, parties=["BLUE", "RED"])
    verify_export(doc, key.public_pem())             # offline: only the JSON and the public key
"""

from airdecon.audit._canonical import GENESIS, canonical_bytes, checkpoint_message, entry_digest, link
from airdecon.audit._export import EXPORT_FORMAT, ExportReport, export_incident, verify_export
from airdecon.audit._keys import HubKey, Signer, key_id, load_public_key
from airdecon.audit._verify import ChainReport, verify_chain

__all__ = [
    "EXPORT_FORMAT",
    "GENESIS",
    "ChainReport",
    "ExportReport",
    "HubKey",
    "Signer",
    "canonical_bytes",
    "checkpoint_message",
    "entry_digest",
    "export_incident",
    "key_id",
    "link",
    "load_public_key",
    "verify_chain",
    "verify_export",
]

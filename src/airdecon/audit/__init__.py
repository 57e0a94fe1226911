"""The tamper-evident record: hash-chained entries, Ed25519-signed checkpoints, verification, exports.

::

    from airdecon.audit import HubKey, verify_chain, export_incident, verify_export
    key = HubKey.generate()
    store = open_store("hub.db", signer=key, checkpoint_every=100)
    ...
    verify_chain(store, key.public_key)              # raises IntegrityError naming the entry
    doc = export_incident(store, t0, t1, parties=["BLUE", "RED"])
    verify_export(doc, key.public_pem())             # offline: only the JSON and the public key
    verify_export(doc, pub, heads=load_heads("BLUE.heads"))  # and against the heads BLUE kept
"""

from airdecon.audit._canonical import GENESIS, canonical_bytes, checkpoint_message, entry_digest, link
from airdecon.audit._export import EXPORT_DEPTH, EXPORT_FORMAT, export_incident, write_incident
from airdecon.audit._export_check import ExportReport, verify_export
from airdecon.audit._heads import (
    PARTY_HEAD_DOMAIN,
    HeadChecker,
    HeadsReport,
    PartyFold,
    PartyHead,
    fold_parties,
    fold_party,
    load_heads,
    party_head_message,
    sign_party_head,
)
from airdecon.audit._keys import HubKey, Signer, key_id, load_public_key
from airdecon.audit._verify import DEFAULT_MAX_UNSIGNED, DEFAULT_MAX_UNSIGNED_S, ChainReport, verify_chain

__all__ = [
    "DEFAULT_MAX_UNSIGNED",
    "DEFAULT_MAX_UNSIGNED_S",
    "EXPORT_DEPTH",
    "EXPORT_FORMAT",
    "GENESIS",
    "PARTY_HEAD_DOMAIN",
    "ChainReport",
    "ExportReport",
    "HeadChecker",
    "HeadsReport",
    "HubKey",
    "PartyFold",
    "PartyHead",
    "Signer",
    "canonical_bytes",
    "checkpoint_message",
    "entry_digest",
    "export_incident",
    "fold_parties",
    "fold_party",
    "key_id",
    "link",
    "load_heads",
    "load_public_key",
    "party_head_message",
    "sign_party_head",
    "verify_chain",
    "verify_export",
    "write_incident",
]

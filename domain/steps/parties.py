"""A party as a process knows it: the id it signs under and the key its signatures verify with."""

from dataclasses import dataclass


@dataclass
class PartyKey:
    party_id: str
    public_key: str

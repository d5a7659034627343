"""Random escrow programs (tests/kits/escrow_programs.py) keep every money rule after every call."""

from tests.kits.escrow_programs import EscrowPrograms

TestEscrowPrograms = EscrowPrograms.TestCase

"""What the fund routes answer (api/routes/funds.py): the fund as its workflow holds it, where to pay
into it, and the council's list. The snapshot is the domain's typed value (domain/fund/snapshot.py)."""

from pydantic import BaseModel, Field

from domain.fund.snapshot import FundSnapshot


class FundDeposit(BaseModel):
    """Where the business pays into its fund: like an escrow's deposit, its own account and reference."""

    bank_url: str = Field(description="the bank's API, where the transfer is made (the sandbox bank)")
    bank_name: str = Field(description="the bank's name, as a person paying by transfer names it")
    account_holder: str = Field(description="the name the fund's account is held in (收款人户名)")
    account_id: str = Field(description="the fund's own account at that bank: FUND-{business id}")
    payer_id: str = Field(description="the party expected to pay: the business")
    reference: str = Field(description="the fund's id with two ISO 7064 MOD 97-10 check digits")
    due_fen: int = Field(description="what the fund lacks to hold its pledge and repay what it owes")


class FundPublic(BaseModel):
    fund: FundSnapshot
    deposit: FundDeposit


class FundListed(BaseModel):
    """A fund in the council's list: its figures, and the overdue cases it has not yet paid."""

    fund_id: str
    business_id: str
    business_name: str
    status: str
    pledged_fen: int
    held_fen: int
    owed_fen: int
    claims_waiting: list[str] = Field(description="overdue cases the council may still pay in advance")

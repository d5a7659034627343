"""The signed steps of a dispute case, one endpoint each, under /cases/{case_id}."""

from api.routes.steps import StepRoutes

CASE_STEPS: StepRoutes = [
    ("case.accept", "/acceptance", None, "The council accepts the case"),
    ("case.reject", "/rejection", None, "The council rejects the case, with reasons"),
    ("answer.submit", "/answer", None, "The respondent answers the claim"),
    ("settlement.sign", "/settlement-signatures", None, "Either party proposes or countersigns a settlement"),
    ("strike.submit", "/strikes", None, "A party strikes one panel member, with a reason"),
    ("declaration.sign", "/declarations", None, "A drawn expert declares independence, or declines"),
    ("evidence.submit", "/evidence", None, "A party submits evidence or a reply (hashes of the files)"),
    ("inspection.sign", "/site-inspection-signatures", None, "Parties and chair sign the joint site report"),
    ("clock.pause", "/clock-pauses", None, "The council pauses the clock for lab tests or a teardown"),
    ("clock.resume", "/clock-resumptions", None, "The council restarts the clock"),
    ("vote.commit", "/vote-commitments", None, "A panel member commits to a hashed opinion"),
    ("vote.reveal", "/vote-reveals", None, "A panel member reveals the opinion and its salt"),
    ("decision.summarise", "/decision-summary", None, "The chair writes the plain-language summary"),
    ("decision.sign", "/decision-signatures", None, "A panel member signs the decision, dissent noted"),
    ("decision.countersign", "/decision-countersignature", None, "The council countersigns the decision"),
    ("decision.object", "/objections", None, "A party objects: one appeal to a larger panel"),
    ("enforcement.submit", "/enforcement", None, "The council's signed escrow decision, to be paid out"),
    ("remedy.confirm", "/remedy-confirmation", None, "The dealer confirms the decided remedy"),
    ("case.withdraw", "/withdrawal", None, "The claimant withdraws the case (and its escrow dispute)"),
]

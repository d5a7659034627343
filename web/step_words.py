"""The words static/steps.js says itself on every page that signs a step: the dialog's fixed
lines, yes and no, and its own refusals (a bad amount, a refused step, an answer that never
came back). Each page adds the words of its own steps to these; one list, so that no page
can lack one of them.
"""

STEPS_JS_WORDS = (
    "field.action",
    "field.signer",
    "word.yes",
    "word.no",
    "error.step",
    "error.no_answer",
    "error.amount",
)

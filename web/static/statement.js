// The statement page's print button (web/templates/escrow/statement.html): the browser's own
// print dialog, which applies statement.css's print rules.
document.getElementById("print-statement")?.addEventListener("click", () => window.print());

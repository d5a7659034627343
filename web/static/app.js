// Shows every <time datetime="..."> in the reader's own time zone and language.
// The server renders Asia/Shanghai first, so the page reads correctly without JavaScript too.
document.addEventListener("DOMContentLoaded", () => {
  const lang = document.documentElement.lang || "zh-CN";
  const format = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  for (const element of document.querySelectorAll("time[datetime]")) {
    const moment = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) element.textContent = format.format(moment);
  }
});

// A table of three or more columns reads as a list of cards on a phone (app.css, table.stacks):
// each cell is labelled with its column's heading, which the card shows above the value.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table:not(#money-statement)")) {
    const headings = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
    if (headings.length < 3) continue;
    table.classList.add("stacks");
    for (const row of table.querySelectorAll("tbody tr")) {
      Array.from(row.cells).forEach((cell, index) => {
        if (headings[index] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", headings[index]);
      });
    }
  }
});

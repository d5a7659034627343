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

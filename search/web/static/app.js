// news-search's page: what a page without JavaScript lacks, and nothing it needs.
// "/" focuses the search box; the actor and outlet boxes complete from the index (the JSON API's
// /actors and /sources); the document page lists similar documents without a click (/similar).
// Text from documents is only ever set with textContent, never as HTML.
"use strict";

document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || target.closest("input, textarea, select"))) return;
  const box = document.getElementById("q");
  if (box instanceof HTMLInputElement) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});

function completeFrom(inputId, listId, url, key, describe) {
  const input = document.getElementById(inputId);
  const list = document.getElementById(listId);
  if (!input || !list) return;
  let loaded = false;
  const load = () => {
    if (loaded) return;
    loaded = true;
    fetch(url, { headers: { Accept: "application/json" } })
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)))
      .then((data) => {
        const options = document.createDocumentFragment();
        for (const item of data[key]) {
          const option = document.createElement("option");
          option.value = item.name;
          option.label = describe(item);
          options.append(option);
        }
        list.replaceChildren(options);
      })
      .catch(() => {
        loaded = false; // try again at the next focus
      });
  };
  input.addEventListener("focus", load);
  input.addEventListener("input", load);
}

completeFrom("actor", "actor-names", "/actors?limit=1000", "actors", (a) => `${a.type}, ${a.count} documents`);
completeFrom("source", "source-names", "/sources?limit=1000", "sources", (s) => `${s.count} documents`);

function formatDay(iso) {
  if (!iso) return "undated";
  const [year, month, day] = iso.split("-").map(Number);
  const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${day} ${names[month - 1]} ${year}`;
}

const similar = document.getElementById("similar");
if (similar && similar.dataset.id) {
  const id = similar.dataset.id;
  // Of several indexes, each document's index is named: ids are each index's own.
  const within = (index) => ("several" in similar.dataset && index ? `&index=${index}` : "");
  fetch(`/similar?id=${encodeURIComponent(id)}${within(similar.dataset.index)}&limit=8`, {
    headers: { Accept: "application/json" },
  })
    .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)))
    .then((data) => {
      const list = document.createElement("ul");
      for (const hit of data.results) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = `/read?id=${encodeURIComponent(hit.id)}${within(hit.index)}`;
        link.textContent = hit.title || hit.id;
        const about = document.createElement("span");
        about.className = "count";
        about.textContent = formatDay(hit.date) + (hit.source ? ` · ${hit.source}` : "");
        item.append(link, " ", about);
        list.append(item);
      }
      const paragraph = similar.querySelector("p");
      if (data.results.length) {
        paragraph.replaceWith(list);
      } else {
        paragraph.textContent = "No similar documents.";
      }
    })
    .catch(() => {}); // the link to the page of similar documents stays
}

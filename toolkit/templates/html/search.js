/* The static site's search: Pagefind's index, read in the browser (no server, no network beyond this site).
   Results are built as DOM nodes: excerpts are read as text, and only Pagefind's <mark> highlights are kept. */
const script = document.currentScript || document.querySelector("script[data-pagefind]");
const results = document.getElementById("search_results");
const input = document.getElementById("q");
const query = new URLSearchParams(window.location.search).get("q") || "";
input.value = query;

function excerpt(html) {
  const paragraph = document.createElement("p");
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body.firstChild;
  for (const node of parsed.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.append(mark);
    } else {
      paragraph.append(document.createTextNode(node.textContent));
    }
  }
  return paragraph;
}

async function run() {
  if (!query.trim()) { return; }
  const pagefind = await import(script.dataset.pagefind);
  const found = await pagefind.search(query);
  const data = await Promise.all(found.results.slice(0, 30).map((result) => result.data()));
  const heading = document.createElement("h2");
  heading.textContent = `${found.results.length} page${found.results.length === 1 ? "" : "s"} found for “${query}”`;
  const list = document.createElement("ol");
  list.className = "hub-results";
  for (const item of data) {
    const entry = document.createElement("li");
    const link = document.createElement("a");
    link.href = item.url;
    link.textContent = item.meta.title || item.url;
    entry.append(link, excerpt(item.excerpt));
    list.append(entry);
  }
  results.replaceChildren(heading, list);
}

run();

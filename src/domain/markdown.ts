import sanitizeHtml from "sanitize-html";

/**
 * Makes user-written markdown safe to render: inline HTML keeps only harmless tags, and links or
 * images whose target uses a script-capable scheme lose that target.
 */
export function sanitizeMarkdown(text: string): string {
  const html = sanitizeHtml(text, {
    allowedTags: ["b", "i", "em", "strong", "a", "p", "br", "ul", "ol", "li", "code", "pre", "blockquote", "img", "h1", "h2", "h3", "h4"],
    allowedAttributes: { a: ["href", "title"], img: ["src", "alt", "title"] },
    allowedSchemes: ["http", "https", "mailto"],
    disallowedTagsMode: "discard",
  });
  return html.replace(/\]\(\s*(?:javascript|vbscript|data)\s*:[^)]*\)/gi, "]()");
}

// The path the app is served under: "" at a host's root, "/twinplane" behind a proxy that serves it
// at https://example.com/twinplane/. The control plane writes it into index.html as <base href>
// (from its public URL), so the hashed assets (relative URLs) and every path built here follow it.

function fromBaseUri(baseUri: string | undefined): string {
  if (!baseUri) return "";
  try {
    return new URL(baseUri).pathname.replace(/\/+$/, "");
  } catch {
    return "";
  }
}

/** The page's explicit <base href>, resolved; undefined without one (`npm run dev` serves none, and
 * document.baseURI would then be the page's own URL: its path is a route, not a base). */
function baseTag(): string | undefined {
  if (typeof document === "undefined") return undefined;
  return document.querySelector("base")?.href || undefined;
}

/** "" or "/prefix" (no trailing slash). */
export function basePath(baseUri: string | undefined = baseTag()): string {
  return fromBaseUri(baseUri);
}

/** An app path ("/api/...", "/login?next=...") as the browser must request it. */
export function appPath(path: string, base: string = basePath()): string {
  return base + path;
}

/** A location's pathname as the app's routes see it (the base taken off). */
export function routePath(pathname: string, base: string = basePath()): string {
  if (base && (pathname === base || pathname.startsWith(base + "/"))) return pathname.slice(base.length) || "/";
  return pathname;
}

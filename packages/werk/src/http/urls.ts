/**
 * IRIs to URIs: make a URL with non-ASCII text safe for a `Location` header, as
 * Werkzeug's `urls.iri_to_uri` does.
 */
import { domainToASCII } from "node:url";
import { quote } from "../utils.js";

// WHATWG path-segment, query and fragment sets, plus "%" for text that is already quoted.
const PATH_SAFE = "%!$&'()*+,/:;=@";
const QUERY_SAFE = "%!$&'()*+,/:;=?@";
const FRAGMENT_SAFE = "%!#$&'()*+,/:;=?@";
const USERINFO_SAFE = "%!$&'()*+,;=";

// Every character here survives `iriToUri` unchanged, so such URLs skip the work.
const ALREADY_SAFE_RE = /^[A-Za-z0-9\-._~%!$&'()*+,/:;=@?#]*$/;
const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Convert an IRI to a URI: non-ASCII and unsafe characters are percent-encoded as UTF-8
 * (path, query and fragment each with their own safe set), the host is IDNA-encoded.
 * A backslash is encoded too, so `/\evil.example` cannot read as a host to a browser.
 *
 * @example
 * iriToUri("http://☃.net/påth?q=è"); // "http://xn--n3h.net/p%C3%A5th?q=%C3%A8"
 */
export function iriToUri(iri: string): string {
  if (ALREADY_SAFE_RE.test(iri)) return iri;

  let rest = iri;
  let scheme = "";
  const schemeMatch = SCHEME_RE.exec(rest);
  if (schemeMatch) {
    scheme = schemeMatch[0];
    rest = rest.slice(scheme.length);
  }

  let netloc: string | undefined;
  if (rest.startsWith("//")) {
    let end = rest.length;
    for (const sep of ["/", "?", "#"]) {
      const i = rest.indexOf(sep, 2);
      if (i >= 0 && i < end) end = i;
    }
    netloc = encodeNetloc(rest.slice(2, end));
    rest = rest.slice(end);
  }

  let fragment: string | undefined;
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query: string | undefined;
  const question = rest.indexOf("?");
  if (question >= 0) {
    query = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }

  let out = scheme;
  if (netloc !== undefined) out += "//" + netloc;
  out += quote(rest, PATH_SAFE);
  if (query !== undefined) out += "?" + quote(query, QUERY_SAFE);
  if (fragment !== undefined) out += "#" + quote(fragment, FRAGMENT_SAFE);
  return out;
}

function encodeNetloc(netloc: string): string {
  const at = netloc.lastIndexOf("@");
  let auth = "";
  if (at >= 0) {
    const userinfo = netloc.slice(0, at);
    const colon = userinfo.indexOf(":");
    auth =
      colon < 0
        ? quote(userinfo, USERINFO_SAFE)
        : `${quote(userinfo.slice(0, colon), USERINFO_SAFE)}:${quote(userinfo.slice(colon + 1), USERINFO_SAFE)}`;
    auth += "@";
  }
  const hostport = netloc.slice(at + 1);
  let host = hostport;
  let port = "";
  if (hostport.startsWith("[")) {
    const close = hostport.indexOf("]");
    if (close >= 0) {
      host = hostport.slice(0, close + 1);
      port = hostport.slice(close + 1);
    }
  } else {
    const colon = hostport.lastIndexOf(":");
    if (colon >= 0) {
      host = hostport.slice(0, colon);
      port = hostport.slice(colon);
    }
  }
  if (!host.startsWith("[")) {
    // IDNA for names; what cannot be a host name is percent-encoded instead of dropped.
    host = host.toLowerCase();
    const ascii = host ? domainToASCII(host) : "";
    host = ascii || quote(host, "");
  }
  return auth + host + quote(port, ":");
}

/*
 * The web-fetch plugin's working code, imported on the first web_fetch call (dist/runtime.js): the
 * URL policy, the SSRF guard, the HTTP client and the text extraction (html-to-text is imported
 * later still, on the first HTML page).
 */
export { webFetch, type WebFetchEnv, type WebFetchResult } from "./web-fetch.js";

/**
 * Error text for logs, health reasons and responses: nothing internal in it. Messages of Redis clients,
 * undici and transformers.js carry URLs (an internal hub mirror's, a model URL with its token) and peers'
 * addresses (`connect ECONNREFUSED 10.0.0.5:443`); what failed stays, where it failed goes.
 */

/** `text` with URLs, IP addresses and host:port pairs replaced by `<address>`. */
export function withoutAddresses(text: string): string {
  return text
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<address>')
    .replace(/\[[0-9a-f:.]+\](?::\d+)?/gi, '<address>')
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<address>')
    .replace(/\b[a-z0-9][\w.-]*:\d{2,5}\b/gi, '<address>');
}

/**
 * @module Which webhook URLs Plane accepts, release by release (makeplane/plane, read at the tags; issue 31):
 *
 * - every release: Django's `URLField` (a host needs a dot and a TLD, or is `localhost`, or an IP literal:
 *   `http://plane-bridge:8787` is "Enter a valid URL."), `validate_schema` (http/https), `validate_domain`
 *   (`localhost`/`127.0.0.1` as the netloc: "Local URLs are not allowed.");
 * - v1.2.2 (`WebhookSerializer.create`): the host must resolve, and to no loopback address; it may not be (a subdomain
 *   of) `plane.so` or the host the request came in on (Plane's own domain);
 * - v1.2.3, v1.3.0: the same, but any private, loopback, reserved or link-local address is refused;
 * - v1.3.1 (`plane/utils/ip_address.py validate_url`): `WEBHOOK_ALLOWED_HOSTS` (exact names, no DNS) skip the
 *   address check and the domain check; addresses inside `WEBHOOK_ALLOWED_IPS` (CIDRs) pass it; the disallowed
 *   domains are `WEBHOOK_DISALLOWED_DOMAINS` (empty by default) and the request host. An address refused says only
 *   "Invalid or disallowed webhook URL."; and the check runs again at each delivery (`webhook_task.py`), where a
 *   refusal drops the delivery without a log, a retry or a deactivation.
 */

export type PlaneRelease = '1.2.2' | '1.2.3' | '1.3.0' | '1.3.1'

export type WebhookUrlPolicy = {
  release: PlaneRelease
  /** The host the web request came in on (Plane's own domain): refused as a target. */
  requestHost: string
  /** v1.3.1 `WEBHOOK_ALLOWED_HOSTS`. */
  allowedHosts?: readonly string[]
  /** v1.3.1 `WEBHOOK_ALLOWED_IPS` (CIDRs). */
  allowedIps?: readonly string[]
  /** v1.3.1 `WEBHOOK_DISALLOWED_DOMAINS`. */
  disallowedDomains?: readonly string[]
  /** The simulator's DNS: the addresses a name resolves to, or null when it does not resolve. */
  resolve(hostname: string): string[] | null
}

/** A refusal as the web API answers it: 400 with DRF's body (a field's messages). */
export type WebhookUrlVerdict =
  | { ok: true }
  | { ok: false; body: Record<string, string | string[]> }

export function checkWebhookUrl(url: string, policy: WebhookUrlPolicy): WebhookUrlVerdict {
  const refuse = (message: string | string[]): WebhookUrlVerdict => ({
    ok: false,
    body: { url: message },
  })
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return refuse(['Enter a valid URL.'])
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (!['http:', 'https:'].includes(parsed.protocol)) return refuse(['Enter a valid URL.'])
  if (!_urlFieldHost(host)) return refuse(['Enter a valid URL.'])
  if (['localhost', '127.0.0.1'].includes(parsed.host))
    return refuse(['Local URLs are not allowed.'])
  if (policy.release === '1.3.1') return _v131(host, policy)
  const addresses = _addresses(host, policy)
  if (addresses === null) return refuse('Hostname could not be resolved.')
  if (addresses.length === 0) return refuse('No IP addresses found for the hostname.')
  const blocked = policy.release === '1.2.2' ? _isLoopback : _isInternal
  if (addresses.some(blocked)) return refuse('URL resolves to a blocked IP address.')
  return _domains(host, ['plane.so', policy.requestHost])
    ? refuse('URL domain or its subdomain is not allowed.')
    : { ok: true }
}

/** v1.3.1 at delivery time: `validate_url` again (a DNS answer that changed since is caught here). */
export function deliverableWebhookUrl(url: string, policy: WebhookUrlPolicy): boolean {
  if (policy.release !== '1.3.1') return true
  try {
    return _validateUrl(new URL(url).hostname.toLowerCase(), policy)
  } catch {
    return false
  }
}

// --- Internal helpers ---

function _v131(host: string, policy: WebhookUrlPolicy): WebhookUrlVerdict {
  if (!_validateUrl(host, policy))
    return { ok: false, body: { url: 'Invalid or disallowed webhook URL.' } }
  if ((policy.allowedHosts ?? []).map((h) => h.toLowerCase()).includes(host)) return { ok: true }
  return _domains(host, [...(policy.disallowedDomains ?? []), policy.requestHost])
    ? { ok: false, body: { url: 'URL domain or its subdomain is not allowed.' } }
    : { ok: true }
}

function _validateUrl(host: string, policy: WebhookUrlPolicy): boolean {
  if ((policy.allowedHosts ?? []).map((h) => h.toLowerCase()).includes(host)) return true
  const addresses = _addresses(host, policy)
  if (!addresses || addresses.length === 0) return false
  return addresses.every(
    (ip) => !_isInternal(ip) || (policy.allowedIps ?? []).some((cidr) => _inCidr(ip, cidr))
  )
}

function _addresses(host: string, policy: WebhookUrlPolicy): string[] | null {
  return _ipv4(host) !== null || host.includes(':') ? [host] : policy.resolve(host)
}

function _domains(host: string, domains: readonly string[]): boolean {
  return domains
    .map((d) => d.toLowerCase())
    .some((domain) => host === domain || host.endsWith(`.${domain}`))
}

/** Django's URLValidator host: a dotted name with a TLD, `localhost`, or an IP literal. */
function _urlFieldHost(host: string): boolean {
  if (host === 'localhost' || _ipv4(host) !== null || host.includes(':')) return true
  return /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z-]{2,63}\.?$/i.test(host)
}

function _ipv4(ip: string): number | null {
  const parts = ip.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

function _inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/')
  const a = _ipv4(ip)
  const b = _ipv4(base)
  if (a === null || b === null) return ip === base
  const size = 2 ** (32 - Number(bits))
  return Math.floor(a / size) === Math.floor(b / size)
}

function _isLoopback(ip: string): boolean {
  return ip === '::1' || _inCidr(ip, '127.0.0.0/8')
}

/** Python's is_private or is_loopback or is_reserved or is_link_local, for the ranges a deployment meets. */
function _isInternal(ip: string): boolean {
  if (ip.includes(':'))
    return ip === '::1' || /^f[cd]/i.test(ip) || /^fe[89ab]/i.test(ip) || ip === '::'
  return [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '240.0.0.0/4',
  ].some((cidr) => _inCidr(ip, cidr))
}

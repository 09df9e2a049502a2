/**
 * @module Whether Plane will take the URL plane-bridge asks people to register as its webhook, for the release that
 * runs, and the exact fix when not. Plane's rules (makeplane/plane `WebhookSerializer`, read at v1.2.2,
 * v1.2.3, v1.3.0, v1.3.1): a host needs a dot and a TLD (Django's URLField: `http://plane-bridge:8787` is refused
 * everywhere); not localhost; not Plane's own domain nor a subdomain of it; from v1.2.3 not a private, loopback,
 * reserved or link-local address (v1.2.2: loopback only); v1.3.1 lets `WEBHOOK_ALLOWED_HOSTS` (exact host names) and
 * `WEBHOOK_ALLOWED_IPS` (CIDRs) through, checks again at each delivery, and drops a refused one without a word.
 * Pure: the bridge cannot resolve names here (Workers), so what depends on DNS is said as a condition.
 */

export type WebhookTargetFacts = {
  /** The URL Plane is to post to (PLANE_WEBHOOK_URL, else PUBLIC_URL/webhooks/plane). */
  url: string
  /** Plane's host as people reach it (PLANE_BASE_URL): its own domain is refused as a target. */
  planeHost: string | null
  /** `v1.3.1` as Plane's /api/instances/ says it; null when unknown. */
  release: string | null
}

export type WebhookTargetAdvice = {
  /** Plane will refuse it, whatever DNS says. */
  refused: boolean
  /** What to tell the person registering it (empty: nothing to say). */
  lines: string[]
}

const COMPOSE_HINT =
  'compose/ gives the bridge the network alias plane-bridge.internal and, for v1.3.1, sets WEBHOOK_ALLOWED_HOSTS=plane-bridge.internal on Plane’s api and worker (docs/deploy.md, “Plane’s webhook inside the host”)'

export function adviseWebhookTarget({
  url,
  planeHost,
  release,
}: WebhookTargetFacts): WebhookTargetAdvice {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { refused: true, lines: [`${url} is not a URL Plane can post to.`] }
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const v = _version(release)
  const name = release ? `Plane ${release}` : 'This Plane'
  const allowlist = v !== null && v >= 10301
  const allow = `add ${host} to WEBHOOK_ALLOWED_HOSTS in plane.env (Plane’s api and worker read it), then restart them`
  if (host === 'localhost' || host === '127.0.0.1')
    return { refused: true, lines: [`Plane refuses local URLs (${url}) in every version.`] }
  if (!host.includes('.') && !host.includes(':'))
    return {
      refused: true,
      lines: [
        `Plane refuses ${url} in every version: a webhook host needs a dot and a top-level domain (Django’s URLField), so a bare service name such as ${host} is "Enter a valid URL." Use a dotted name: ${COMPOSE_HINT}.`,
      ],
    }
  const own =
    planeHost !== null && (host === planeHost.toLowerCase() || host.endsWith(`.${planeHost}`))
  if (own)
    return {
      refused: !allowlist,
      lines: [
        allowlist
          ? `${name} refuses its own domain (${planeHost}) and its subdomains as a webhook target unless the host is allowlisted: ${allow}.`
          : `${name} refuses its own domain (${planeHost}) and its subdomains as a webhook target: use a host of another domain (the public hooks host, docs/deploy.md step 4)${v === null ? '' : ', or upgrade to v1.3.1 and allowlist it'}.`,
      ],
    }
  const literal = _ipv4(host)
  const internal = literal !== null ? _internal(literal) : _looksInternal(host)
  if (!internal) return { refused: false, lines: [] }
  const loopback = literal !== null && literal >>> 24 === 127
  if (v !== null && v < 10203 && !loopback) return { refused: false, lines: [] }
  const sure = literal !== null
  if (allowlist)
    return {
      refused: false,
      lines: [
        `${name} refuses a private address unless it is allowlisted, at saving and again at every delivery (a delivery refused then is dropped without a word): ${allow}${literal !== null ? ', or its network to WEBHOOK_ALLOWED_IPS' : ''}.`,
      ],
    }
  return {
    refused: sure,
    lines: [
      `${name} refuses webhook URLs that ${sure ? 'are' : 'resolve to'} a private, loopback or link-local address${sure ? '' : ` (if ${host} resolves to one, as a name inside the host does)`}, with no way around it before v1.3.1: register the public hooks host instead (docs/deploy.md step 4), or upgrade Plane to v1.3.1 and allowlist ${host}.`,
    ],
  }
}

/** `v1.3.1` → 10301; null when it does not read as a version. */
function _version(release: string | null): number | null {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(release ?? '')
  if (!match) return null
  return Number(match[1]) * 10000 + Number(match[2]) * 100 + Number(match[3])
}

function _ipv4(host: string): number | null {
  const parts = host.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null
  return parts.reduce((n, p) => n * 256 + Number(p), 0) >>> 0
}

function _internal(ip: number): boolean {
  const in_ = (base: string, bits: number) =>
    ip >>> (32 - bits) === (_ipv4(base) as number) >>> (32 - bits)
  return (
    in_('10.0.0.0', 8) ||
    in_('127.0.0.0', 8) ||
    in_('169.254.0.0', 16) ||
    in_('172.16.0.0', 12) ||
    in_('192.168.0.0', 16)
  )
}

/** Names that only resolve inside a network: `.internal`, `.local`, `.lan`, `.home.arpa`. */
function _looksInternal(host: string): boolean {
  return /\.(internal|local|lan|home\.arpa|localdomain)$/.test(host)
}

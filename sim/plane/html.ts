/** @module `description_html` the way `IssueSerializer.validate` rewrites it: lxml round-trip + nh3 (§3.1). */

import { nonFieldError } from './http-errors.ts'

const BLOCK_TAGS = new Set(
  'address article aside blockquote details dialog div dl fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table ul'.split(
    ' '
  )
)
const VOID_TAGS = new Set(
  'area base br col embed hr img input link meta source track wbr'.split(' ')
)

type TopLevel = { elements: number; text: boolean; block: boolean }

/**
 * Approximates `lxml.html.fromstring` + `tostring`: plain text becomes `<p>text</p>`; one element stays
 * as is; several top-level nodes are wrapped in `<div>` (if any is block-level) or `<span>`; an empty
 * or blank string fails ("Document is empty" → `Invalid HTML passed`). Then, like nh3, drops
 * `<script>`/`<style>` elements and `on*=` attributes.
 */
export function normalizeDescriptionHtml(input: string): string {
  const html = input.trim()
  if (html === '') throw nonFieldError('Invalid HTML passed')
  const shape = topLevelShape(html)
  let wrapped: string
  if (shape.elements === 0) wrapped = `<p>${escapeBareAmpersands(html)}</p>`
  else if (shape.elements === 1 && !shape.text) wrapped = html
  else if (!shape.block)
    wrapped = shape.text && html[0] !== '<' ? `<p>${html}</p>` : `<span>${html}</span>`
  else wrapped = `<div>${html}</div>`
  return sanitize(wrapped)
}

/** `strip_tags(description_html)` for `description_stripped`. */
export function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, '')
}

function topLevelShape(html: string): TopLevel {
  const shape: TopLevel = { elements: 0, text: false, block: false }
  let depth = 0
  const tag = /<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g
  let last = 0
  for (let match = tag.exec(html); match; match = tag.exec(html)) {
    if (depth === 0 && html.slice(last, match.index).trim() !== '') shape.text = true
    const [, closing, rawName = '', selfClosing] = match
    const name = rawName.toLowerCase()
    if (closing) depth = Math.max(0, depth - 1)
    else {
      if (depth === 0) {
        shape.elements += 1
        if (BLOCK_TAGS.has(name)) shape.block = true
      }
      if (!selfClosing && !VOID_TAGS.has(name)) depth += 1
    }
    last = tag.lastIndex
  }
  if (html.slice(last).trim() !== '') shape.text = true
  return shape
}

function escapeBareAmpersands(text: string): string {
  return text.replace(/&(?!#?\w+;)/g, '&amp;').replace(/>/g, '&gt;')
}

function sanitize(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/\s+on\w+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, '')
}

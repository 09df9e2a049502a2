/**
 * How long the product's functions are, read with TypeScript's own parser: each function-like node (declaration,
 * expression, arrow, method, accessor, constructor) with its lines as written and its own lines, the lines left
 * once the functions written inside it are taken out. A step a reader can see whole has few own lines; a factory
 * (a function that gathers closures and hands them out) is long only by the closures it holds, each a step.
 */
import { readFileSync } from 'node:fs'
import ts from 'typescript'

export type FunctionLength = {
  /** `file:line name` — the name as the code gives it (`createX`, `x.method`, `(arrow)` when it has none). */
  where: string
  /** Lines from the first of its signature to its closing brace. */
  lines: number
  /** Its lines with some code of its own: not wholly inside a function written in it. */
  own: number
  /** Whether functions are written directly inside it (a factory, or a step with a callback). */
  closures: number
}

const isFunction = (node: ts.Node): node is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node) ||
  ts.isConstructorDeclaration(node)

function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source)
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  const parent = node.parent
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText(source)
  }
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression.getText(source)
    return `(callback of ${callee.length > 40 ? `${callee.slice(0, 40)}…` : callee})`
  }
  return '(arrow)'
}

/** Every function of one source text, outermost first. */
export function measureFunctions(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line
  const span = (node: ts.Node) => lineOf(node.getEnd()) - lineOf(node.getStart(source)) + 1
  const found: FunctionLength[] = []
  /** The functions directly inside `node` (not inside one of them). */
  const inner = (node: ts.Node): ts.FunctionLikeDeclaration[] => {
    const out: ts.FunctionLikeDeclaration[] = []
    const visit = (child: ts.Node) => {
      if (isFunction(child)) out.push(child)
      else ts.forEachChild(child, visit)
    }
    ts.forEachChild(node, visit)
    return out
  }
  const visit = (node: ts.Node) => {
    if (isFunction(node) && node.body) {
      const children = inner(node.body).map(
        (child) => [child.getStart(source), child.getEnd()] as const
      )
      const ownLines = new Set<number>()
      for (let at = node.getStart(source); at < node.getEnd(); at++) {
        if (/\s/.test(text[at] ?? '')) continue
        if (children.some(([start, end]) => at >= start && at < end)) continue
        ownLines.add(lineOf(at))
      }
      found.push({
        where: `${file}:${lineOf(node.getStart(source)) + 1} ${nameOf(node, source)}`,
        lines: span(node),
        own: ownLines.size,
        closures: children.length,
      })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

export function measureFiles(root: string, files: Iterable<string>): FunctionLength[] {
  return [...files].flatMap((file) =>
    measureFunctions(file, readFileSync(`${root}/${file}`, 'utf8'))
  )
}

/**
 * The functions too long to see whole: own lines over `maxOwn` (a step doing too much), or, for one holding
 * closures, all its lines over `maxFactory` (a factory gathering too many steps). Longest first.
 */
export function findLongFunctions(
  measured: readonly FunctionLength[],
  limits: { maxOwn: number; maxFactory: number }
): string[] {
  return measured
    .filter((f) => f.own > limits.maxOwn || (f.closures > 0 && f.lines > limits.maxFactory))
    .sort((a, b) => b.lines - a.lines || (a.where < b.where ? -1 : 1))
    .map((f) =>
      f.own > limits.maxOwn
        ? `${f.where} (${f.own} own lines of ${f.lines})`
        : `${f.where} (factory, ${f.lines} lines)`
    )
}

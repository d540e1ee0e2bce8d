// ESLint rule `branchline/no-unchecked-cast`: data that was just parsed goes through its schema, not through `as`.
// Like VS Code's code-no-dangerous-type-assertions, but for the edges where a cast hides unchecked input.

/**
 * The rule has no type information, so it flags only what the syntax alone shows to be parsed data:
 *
 * - `JSON.parse(…) as T` and `<T>JSON.parse(…)`;
 * - a body read with `.json()` (fetch's Response/Request, any `.json()` call without arguments):
 *   `(await res.json()) as T`, `res.json() as Promise<T>`;
 * - the `.data` of a zod `safeParse`/`safeParseAsync` (`S.safeParse(x).data as T`, or `r.data as T` after
 *   `const r = S.safeParse(x)`), and of any result held in a variable or parameter that is tested with `r.success`;
 * - the `.value` of a Result (`{ ok, value }`): `r.value as T` where `r` is a variable assigned once, or a parameter,
 *   that is read as `r.ok` (a relay answer, a parse result: its schema exists, use it);
 * - any of these through a variable assigned once: `const raw = JSON.parse(s); … raw as T`;
 * - through stacked casts: `JSON.parse(s) as unknown as T`;
 * - the same cast spelled as an annotation: `const x: T = JSON.parse(s)`, `const x: T = await res.json()`
 *   (both return `any`, so the annotation is a cast).
 *
 * Allowed: `as const`, a cast to `unknown` (the honest type of parsed data: narrow it with a schema next), and
 * casts of anything else. Not seen without types (left to review): parsed data returned from a function with a
 * declared type, passed as an argument, or held in a variable assigned more than once.
 */

/** @param {any} node */
const isCast = (node) => node.type === 'TSAsExpression' || node.type === 'TSTypeAssertion';

/** @param {any} typeNode */
function isHarmlessTarget(typeNode) {
  if (typeNode.type === 'TSUnknownKeyword') return true;
  return typeNode.type === 'TSTypeReference' && typeNode.typeName.type === 'Identifier' && typeNode.typeName.name === 'const';
}

/** @param {any} node strips wrappers that do not change what the value is */
function unwrap(node) {
  let current = node;
  for (;;) {
    if (isCast(current) || current.type === 'TSNonNullExpression' || current.type === 'TSSatisfiesExpression' || current.type === 'ChainExpression') {
      current = current.expression;
    } else if (current.type === 'AwaitExpression') {
      current = current.argument;
    } else {
      return current;
    }
  }
}

/** @param {any} node @param {string[]} names a call `….name(…)` for one of the names */
function isMethodCall(node, names) {
  return (
    node.type === 'CallExpression' &&
    node.callee.type === 'MemberExpression' &&
    !node.callee.computed &&
    node.callee.property.type === 'Identifier' &&
    names.includes(node.callee.property.name)
  );
}

/** @param {any} node */
const isJsonParse = (node) => isMethodCall(node, ['parse']) && node.callee.object.type === 'Identifier' && node.callee.object.name === 'JSON';

/** @param {any} node */
const isBodyJson = (node) => isMethodCall(node, ['json']) && node.arguments.length === 0;

/**
 * The variable an identifier refers to, when it never changes after it is bound: a declaration assigned once (its
 * initialiser, `init`) or a parameter never assigned (`init` null).
 * @param {import('eslint').Rule.RuleContext} context @param {any} identifier
 * @returns {{ variable: any, init: any } | undefined}
 */
function boundOnce(context, identifier) {
  /** @type {any} */
  let scope = context.sourceCode.getScope(identifier);
  while (scope !== null) {
    const variable = scope.set.get(identifier.name);
    if (variable !== undefined) {
      if (variable.defs.length !== 1) return undefined;
      const [def] = variable.defs;
      const writes = variable.references.filter((/** @type {any} */ ref) => ref.isWrite()).length;
      if (def.type === 'Parameter') return writes === 0 ? { variable, init: null } : undefined;
      if (def.type !== 'Variable' || def.node.id.type !== 'Identifier' || def.node.init === null || writes !== 1) return undefined;
      return { variable, init: def.node.init };
    }
    scope = scope.upper;
  }
  return undefined;
}

/** @param {any} variable @param {string} property whether the variable is read as `variable.property` somewhere */
function isReadAs(variable, property) {
  return variable.references.some((/** @type {any} */ ref) => {
    const parent = ref.identifier.parent;
    return parent?.type === 'MemberExpression' && parent.object === ref.identifier && !parent.computed && parent.property.name === property;
  });
}

/**
 * What parsed data `node` is, in words for the report, or null when it is not recognisably parsed.
 * @param {import('eslint').Rule.RuleContext} context @param {any} node @param {number} depth
 * @returns {string | null}
 */
function parsedOrigin(context, node, depth = 0) {
  const inner = unwrap(node);
  if (isJsonParse(inner)) return 'JSON.parse(…)';
  if (isBodyJson(inner)) return 'a body read with .json()';
  if (inner.type === 'Identifier' && depth < 3) {
    const bound = boundOnce(context, inner);
    return bound?.init ? parsedOrigin(context, bound.init, depth + 1) : null;
  }
  if (inner.type !== 'MemberExpression' || inner.computed || inner.property.type !== 'Identifier') return null;

  const field = inner.property.name;
  if (field !== 'data' && field !== 'value') return null;
  const holder = unwrap(inner.object);
  if (field === 'data' && isMethodCall(holder, ['safeParse', 'safeParseAsync'])) return 'the data of a safeParse';
  if (holder.type !== 'Identifier') return null;
  const bound = boundOnce(context, holder);
  if (bound === undefined) return null;
  if (field === 'data' && ((bound.init && isMethodCall(unwrap(bound.init), ['safeParse', 'safeParseAsync'])) || isReadAs(bound.variable, 'success'))) {
    return `the data of a parse result ('${holder.name}')`;
  }
  if (field === 'value' && isReadAs(bound.variable, 'ok')) return `the value of a Result ('${holder.name}')`;
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const noUncheckedCastRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Parsed data goes through its schema (src/shared), not through an unchecked `as`' },
    schema: [],
    messages: {
      cast: '{{origin}} is cast without being checked: parse it with its schema (src/shared) instead of `as`, or cast to `unknown` and narrow it.',
      annotation: '{{origin}} is `any`, so this annotation is an unchecked cast: parse it with its schema (src/shared), or declare it `unknown`.',
    },
  },
  create(context) {
    /** @param {any} node */
    const checkCast = (node) => {
      if (isHarmlessTarget(node.typeAnnotation)) return;
      const origin = parsedOrigin(context, node.expression);
      if (origin !== null) context.report({ node, messageId: 'cast', data: { origin } });
    };
    return {
      TSAsExpression: checkCast,
      TSTypeAssertion: checkCast,
      /** @param {any} node */
      VariableDeclarator(node) {
        const annotation = node.id.typeAnnotation?.typeAnnotation;
        if (annotation === undefined || node.init === null || isHarmlessTarget(annotation)) return;
        // Only the bare value: a cast in the initialiser is reported as a cast.
        let init = node.init;
        while (init.type === 'AwaitExpression' || init.type === 'TSNonNullExpression') init = init.type === 'AwaitExpression' ? init.argument : init.expression;
        const origin = isJsonParse(init) ? 'JSON.parse(…)' : isBodyJson(init) ? 'a body read with .json()' : null;
        if (origin !== null) context.report({ node, messageId: 'annotation', data: { origin } });
      },
    };
  },
};

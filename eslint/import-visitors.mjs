// Every syntax that imports a module, as one set of ESLint visitors: the boundary rules share it so none misses a form.

/**
 * @typedef {{ typeOnly: boolean }} ImportInfo
 * @param {(node: any, specifier: string, info: ImportInfo) => void} check called once per import with a literal specifier
 * @returns {import('eslint').Rule.RuleListener}
 */
export function importVisitors(check) {
  /** @param {any} node @param {unknown} source @param {boolean} typeOnly */
  const visit = (node, source, typeOnly) => {
    if (typeof source === 'string') check(node, source, { typeOnly });
  };
  /** An import or re-export is type-only when marked so as a whole, or when every name it brings is a type. @param {any} node @param {'importKind' | 'exportKind'} kind */
  const declaredTypeOnly = (node, kind) =>
    node[kind] === 'type' || (node.specifiers?.length > 0 && node.specifiers.every((/** @type {any} */ s) => s[kind] === 'type'));

  return {
    ImportDeclaration: (node) => visit(node, node.source.value, declaredTypeOnly(node, 'importKind')),
    ExportNamedDeclaration: (node) => visit(node, node.source?.value, declaredTypeOnly(node, 'exportKind')),
    ExportAllDeclaration: (node) => visit(node, node.source.value, /** @type {any} */ (node).exportKind === 'type'),
    ImportExpression: (node) => visit(node, node.source.type === 'Literal' ? node.source.value : undefined, false),
    CallExpression: (node) => {
      const [first] = node.arguments;
      if (node.callee.type === 'Identifier' && node.callee.name === 'require' && first?.type === 'Literal') visit(node, first.value, false);
    },
    /** @param {any} node */
    TSImportEqualsDeclaration: (node) => {
      if (node.moduleReference.type === 'TSExternalModuleReference') visit(node, node.moduleReference.expression.value, node.importKind === 'type');
    },
    /** `type A = import('electron').App`: a type position, but still a dependency on the module. @param {any} node */
    TSImportType: (node) => {
      const source = node.source ?? (node.argument?.type === 'TSLiteralType' ? node.argument.literal : undefined);
      visit(node, source?.type === 'Literal' ? source.value : undefined, true);
    },
  };
}

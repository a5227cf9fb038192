/** Dependency direction, checked rather than hoped for (STYLE.md §8). */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles make modules impossible to read or test on their own. Cycles of type-only imports are ' +
        'erased at run time and allowed: an order refers to its market and its market holds orders.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'matcher/core is pure and synchronous: no node: built-ins, no packages, nothing of ours outside it.',
      from: { path: '^matcher/core/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^matcher/core/' },
    },
    {
      name: 'db-is-a-leaf',
      severity: 'error',
      comment: 'db/ imports nothing from edge/ or matcher/.',
      from: { path: '^db/' },
      to: { path: '^(edge|matcher)/' },
    },
    {
      name: 'nothing-imports-deploy',
      severity: 'error',
      from: {},
      to: { path: '^deploy/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

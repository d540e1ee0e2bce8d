// The `branchline` ESLint plugin: our own rules, each in its own module with its own planted-violation tests.
import { layersRule } from './layers.mjs';
import { noUncheckedCastRule } from './no-unchecked-cast.mjs';
import { rendererBoundariesRule } from './renderer-boundaries.mjs';

export default {
  meta: { name: 'branchline' },
  rules: {
    layers: layersRule,
    'renderer-boundaries': rendererBoundariesRule,
    'no-unchecked-cast': noUncheckedCastRule,
  },
};

/** The heatmap's colour scales live in src/shared/render/heatRamp.ts (the SVG exports use them too). */
export * from '../src/shared/render/heatRamp';

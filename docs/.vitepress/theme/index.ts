import { h } from 'vue';
import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import SetaDemo from './SetaDemo.vue';
import BenchCharts from './BenchCharts.vue';
import ContrastiveEvidence from './ContrastiveEvidence.vue';
import EvidenceChart from './EvidenceChart.vue';
import EvidenceTable from './EvidenceTable.vue';
import HomeSavings from './HomeSavings.vue';
import HomeStart from './HomeStart.vue';
import MethodDiagram from './MethodDiagram.vue';
import StrategyTable from './StrategyTable.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  // The home page's hero shows the evidence beside the pitch, its figures in words under the pitch and the
  // install line under the buttons, so that what the library does, what it saves and how to get it are all
  // on the first screen, a phone's included (tests/site.mjs checks it).
  Layout: () =>
    h(DefaultTheme.Layout, null, {
      'home-hero-image': () => h(EvidenceChart, { compact: true }),
      'home-hero-info-after': () => h(HomeSavings),
      'home-hero-actions-after': () => h(HomeStart),
    }),
  enhanceApp({ app }) {
    app.component('SetaDemo', SetaDemo);
    app.component('BenchCharts', BenchCharts);
    app.component('ContrastiveEvidence', ContrastiveEvidence);
    app.component('EvidenceChart', EvidenceChart);
    app.component('EvidenceTable', EvidenceTable);
    app.component('MethodDiagram', MethodDiagram);
    app.component('StrategyTable', StrategyTable);
  },
} satisfies Theme;

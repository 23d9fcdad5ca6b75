import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import SetaDemo from './SetaDemo.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('SetaDemo', SetaDemo);
  },
} satisfies Theme;

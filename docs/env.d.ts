// Single-file components, for the TypeScript check of the site's code (tsc does not read .vue files).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}


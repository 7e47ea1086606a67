// The module names Adobe Express resolves at run time (webpack marks them external), typed from
// @adobe/ccweb-add-on-sdk-types. A script file (no top-level import), so these declarations are global.
/// <reference path="../../node_modules/@adobe/ccweb-add-on-sdk-types/add-on-ui-sdk.d.ts" />
declare module 'express-document-sdk' {
  export * from '@adobe/ccweb-add-on-sdk-types/express-document-sdk';
}
declare module 'add-on-sdk-document-sandbox' {
  export * from '@adobe/ccweb-add-on-sdk-types/add-on-sdk-document-sandbox';
  export { default } from '@adobe/ccweb-add-on-sdk-types/add-on-sdk-document-sandbox';
}

/** The bridge client (standard WebSocket interface; browser, UXP and Node with `ws`). */
export * from './bridge-client';
export * from './connection-words';
export * from './preview-proxy';
export * from './image-key';
export * from './progress';

export { createInProcessBus } from './EventBus.js';
export type { EventBus, EventHandler, RadgateEvent, RadgateEventType } from './EventBus.js';

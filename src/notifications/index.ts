export {
  enqueueNotification,
  type Notification,
  type NotificationEvent,
  NOTIFICATION_KINDS,
  type NotificationKind,
  type NotificationPayload,
  notificationTargets,
} from "./enqueue-notification.js";
export {
  createNotificationHandlers,
  MAX_NOTIFICATION_ATTEMPTS,
  type NotificationHandlerOptions,
} from "./notification-handlers.js";
export { planNotifications } from "./plan-notifications.js";
export { type WebhookDocument, signatureHeader } from "./webhook-document.js";

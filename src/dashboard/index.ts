export { type DashboardOptions, dashboardRoutes } from "./routes.js";
export { type DashboardSettings, dashboardSettingsFromEnv } from "./settings.js";

export { type Env, EnvError, loadDotEnv, loadEnv } from "./env.js";

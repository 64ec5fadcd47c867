export { bugClassifierFor } from "./bug-classifier.js";
export { endpointsFor, type Project, type ProjectEndpoints } from "./project.js";
export {
  ensureProject,
  findProjectById,
  findProjectByKey,
  findProjectByName,
  newIngestKey,
  ProjectNameError,
  parseFullName,
  rotateIngestKey,
  toProject,
} from "./repository.js";
export {
  createProjectConfigs,
  type LoadedProjectConfig,
  type ProjectConfigs,
  type ProjectConfigsOptions,
  type ProjectWithConfig,
  readProjectConfig,
} from "./project-config.js";

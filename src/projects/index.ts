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

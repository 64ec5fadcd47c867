export {
  BLAME_QUERY,
  type BlameCommit,
  type BlameResult,
  blameLine,
  fetchBlame,
  parseBlame,
} from "./blame.js";

// One definition of the B-number form, owned by the bug domain; rendering re-exports it.
export { bugRef, parseBugRef } from "../../bugs/index.js";

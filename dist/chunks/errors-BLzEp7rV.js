class StoreError extends Error{constructor(r,o){super(r,o);this.name="StoreError"}}export{StoreError as S};
//# sourceMappingURL=errors-BLzEp7rV.js.map

const a={journal:"journal",cacheKey:"cache-key",artifact:"artifact",identity:"identity",saved:"saved"};export{a as S};
//# sourceMappingURL=state-CTmxntF7.js.map

const e={journal:"journal",cacheKey:"cache-key",artifact:"artifact",identity:"identity",scope:"resume-scope",reuseMaxAge:"reuse-max-age",saved:"saved"};export{e as S};
//# sourceMappingURL=state-DL6SioLs.js.map

DROP TABLE project_links;
DROP TABLE project_terms;
DROP TABLE project_msd;
DROP TABLE project_gcm_objectives;
DROP TABLE project_migof;
DROP TABLE project_sdg_targets;
DROP TABLE project_member_states;
DROP TABLE projects;

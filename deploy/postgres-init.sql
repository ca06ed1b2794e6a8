CREATE DATABASE data OWNER twinplane;
